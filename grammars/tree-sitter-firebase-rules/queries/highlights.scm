; Firebase security rules highlighting

(comment) @comment

[
  "rules_version"
  "service"
  "match"
  "allow"
  "if"
  "function"
  "let"
  "return"
] @keyword

[
  "in"
  "is"
] @keyword.operator

(method) @keyword.function

(service_name (identifier) @namespace)

(function_declaration name: (identifier) @function)
(parameter_list (identifier) @variable.parameter)
(let_declaration name: (identifier) @variable)

(call_expression
  function: (identifier) @function.call)
(call_expression
  function: (member_expression property: (identifier) @function.method.call))

(member_expression property: (identifier) @property)

((identifier) @variable.builtin
  (#any-of? @variable.builtin "request" "resource" "database"))

(type) @type
(wildcard name: (identifier) @variable.parameter)
(recursive_marker) @operator
(path_segment) @string.special.path
(interpolation ["$(" ")"] @punctuation.special)

(string) @string
(bytes) @string
(escape_sequence) @string.escape
(integer) @number
(float) @number.float
[(true) (false)] @boolean
(null) @constant.builtin

[
  "=" "==" "!=" "<" "<=" ">" ">=" "&&" "||" "!" "+" "-" "*" "/" "%" "?" ":"
] @operator

["(" ")" "[" "]" "{" "}"] @punctuation.bracket
["," "." ";"] @punctuation.delimiter
