; Every call, with its callee and argument list. Captures:
;   @call    the call_expression
;   @callee  what is called: an identifier, a member expression, ...
;   @args    the arguments node
(call_expression
  function: (_) @callee
  arguments: (arguments) @args) @call
