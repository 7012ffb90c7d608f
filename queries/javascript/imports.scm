; Bindings of imported modules, for every import style. Captures:
;   @source    the module specifier's text (without quotes)
;   @module    a local name bound to the whole module (default, namespace, require)
;   @imported  the exported name of a named import
;   @local     the local name it is bound to (absent when it is the same name)

; import jwt from 'm'
(import_statement
  (import_clause (identifier) @module)
  source: (string (string_fragment) @source))

; import * as jwt from 'm'
(import_statement
  (import_clause (namespace_import (identifier) @module))
  source: (string (string_fragment) @source))

; import { verify } from 'm' / import { verify as check } from 'm'
(import_statement
  (import_clause
    (named_imports
      (import_specifier
        name: (identifier) @imported
        alias: (identifier)? @local)))
  source: (string (string_fragment) @source))

; const jwt = require('m')
(variable_declarator
  name: (identifier) @module
  value: (call_expression
    function: (identifier) @_require
    arguments: (arguments . (string (string_fragment) @source)))
  (#eq? @_require "require"))

; const { verify } = require('m')
(variable_declarator
  name: (object_pattern (shorthand_property_identifier_pattern) @imported)
  value: (call_expression
    function: (identifier) @_require
    arguments: (arguments . (string (string_fragment) @source)))
  (#eq? @_require "require"))

; const { verify: check } = require('m')
(variable_declarator
  name: (object_pattern
    (pair_pattern
      key: (property_identifier) @imported
      value: (identifier) @local))
  value: (call_expression
    function: (identifier) @_require
    arguments: (arguments . (string (string_fragment) @source)))
  (#eq? @_require "require"))
