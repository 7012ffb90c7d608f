; Every allow statement, with its condition when it has one. Captures:
;   @allow      the allow_statement
;   @condition  the `if <expression>` part (absent for `allow read;`)
(allow_statement
  (condition)? @condition) @allow
