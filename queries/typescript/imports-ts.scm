; TypeScript-only import forms; captures as in javascript/imports.scm.

; import jwt = require('m')
(import_statement
  (import_require_clause
    (identifier) @module
    source: (string (string_fragment) @source)))
