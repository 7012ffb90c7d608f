/**
 * @file Firebase security rules (Cloud Firestore and Cloud Storage) grammar for tree-sitter
 * @license MIT OR Apache-2.0
 *
 * The language: an optional `rules_version = '2';`, then one or more
 * `service <name> { ... }` blocks holding nested `match <path> { ... }` blocks,
 * `allow <methods> [: if <condition>];` statements and `function` declarations,
 * over a small CEL-like expression language.
 *
 * The parser is deliberately a little more lenient than the Firebase compiler
 * (optional semicolons, `let` in match blocks, top-level `match` without a
 * `service`) so that half-written files still give a useful tree; semantic
 * checks belong to the analysis engine, not to the grammar.
 */

/// <reference types="tree-sitter-cli/dsl" />
// @ts-check

// Binding strength, loosest first.
const PREC = {
  conditional: 1, // c ? a : b
  or: 2, // ||
  and: 3, // &&
  compare: 4, // == != < <= > >= in is
  additive: 5, // + -
  multiplicative: 6, // * / %
  unary: 7, // ! -
  postfix: 8, // a.b  f(x)  a[i]  a[i:j]
  path: 9, // /a/b/$(c): a `/` after a path segment continues the path
};

const METHODS = ['read', 'write', 'get', 'list', 'create', 'update', 'delete'];

/**
 * One or more `rule`s separated by commas.
 * @param {RuleOrLiteral} rule
 */
function commaSep1(rule) {
  return seq(rule, repeat(seq(',', rule)));
}

/**
 * Zero or more `rule`s separated by commas, with an optional trailing comma.
 * @param {RuleOrLiteral} rule
 */
function commaSepTrailing(rule) {
  return optional(seq(commaSep1(rule), optional(',')));
}

module.exports = grammar({
  name: 'firebase_rules',

  extras: $ => [/\s/, $.comment],

  word: $ => $.identifier,

  supertypes: $ => [$.expression],

  rules: {
    source_file: $ => repeat($._top_level_item),

    _top_level_item: $ => choice(
      $.rules_version,
      $.service_declaration,
      // Not accepted by Firebase on its own, but documentation snippets
      // often leave the `service` wrapper out.
      $.match_block,
      $.function_declaration,
    ),

    // rules_version = '2';
    rules_version: $ => seq(
      'rules_version',
      '=',
      field('version', $.string),
      optional(';'),
    ),

    // service cloud.firestore { ... }
    service_declaration: $ => seq(
      'service',
      field('name', $.service_name),
      field('body', $.service_body),
    ),

    service_name: $ => seq($.identifier, repeat(seq('.', $.identifier))),

    service_body: $ => seq(
      '{',
      repeat(choice($.match_block, $.function_declaration)),
      '}',
    ),

    // match /users/{userId} { ... }
    match_block: $ => seq(
      'match',
      field('path', $.match_path),
      field('body', $.match_body),
    ),

    match_path: $ => repeat1(seq('/', choice($.path_segment, $.wildcard))),

    // {name} or {name=**}
    wildcard: $ => seq(
      '{',
      field('name', $.identifier),
      optional(field('recursive', $.recursive_marker)),
      '}',
    ),

    // The `=**` of `{name=**}`: the wildcard matches the rest of the path.
    recursive_marker: _ => '=**',

    match_body: $ => seq(
      '{',
      repeat(choice(
        $.match_block,
        $.allow_statement,
        $.function_declaration,
        $.let_declaration,
      )),
      '}',
    ),

    // allow read, write: if cond;   allow read;
    allow_statement: $ => seq(
      'allow',
      commaSep1(field('method', $.method)),
      optional(seq(':', field('condition', $.condition))),
      optional(';'),
    ),

    method: _ => choice(...METHODS),

    condition: $ => seq('if', field('expression', $.expression)),

    // function name(a, b) { let x = a; return x == b; }
    function_declaration: $ => seq(
      'function',
      field('name', $.identifier),
      field('parameters', $.parameter_list),
      field('body', $.function_body),
    ),

    parameter_list: $ => seq(
      '(',
      commaSepTrailing(field('parameter', $.identifier)),
      ')',
    ),

    function_body: $ => seq(
      '{',
      repeat(choice($.let_declaration, $.return_statement)),
      '}',
    ),

    let_declaration: $ => seq(
      'let',
      field('name', $.identifier),
      '=',
      field('value', $.expression),
      optional(';'),
    ),

    return_statement: $ => seq(
      'return',
      field('value', $.expression),
      optional(';'),
    ),

    // ---------------------------------------------------------------
    // Expressions

    expression: $ => choice(
      $.identifier,
      $.integer,
      $.float,
      $.string,
      $.bytes,
      $.true,
      $.false,
      $.null,
      $.list,
      $.map,
      $.path,
      $.parenthesized_expression,
      $.member_expression,
      $.call_expression,
      $.index_expression,
      $.slice_expression,
      $.unary_expression,
      $.binary_expression,
      $.is_expression,
      $.conditional_expression,
    ),

    parenthesized_expression: $ => seq('(', field('expression', $.expression), ')'),

    member_expression: $ => prec(PREC.postfix, seq(
      field('object', $.expression),
      '.',
      field('property', $.identifier),
    )),

    call_expression: $ => prec(PREC.postfix, seq(
      field('function', $.expression),
      field('arguments', $.argument_list),
    )),

    argument_list: $ => seq('(', commaSepTrailing($.expression), ')'),

    index_expression: $ => prec(PREC.postfix, seq(
      field('object', $.expression),
      '[',
      field('index', $.expression),
      ']',
    )),

    // a[i:j], a[:j], a[i:]
    slice_expression: $ => prec(PREC.postfix, seq(
      field('object', $.expression),
      '[',
      optional(field('start', $.expression)),
      ':',
      optional(field('end', $.expression)),
      ']',
    )),

    unary_expression: $ => prec(PREC.unary, seq(
      field('operator', choice('!', '-')),
      field('argument', $.expression),
    )),

    binary_expression: $ => {
      /** @type {[number, RuleOrLiteral][]} */
      const table = [
        [PREC.or, '||'],
        [PREC.and, '&&'],
        [PREC.compare, choice('==', '!=', '<', '<=', '>', '>=', 'in')],
        [PREC.additive, choice('+', '-')],
        [PREC.multiplicative, choice('*', '/', '%')],
      ];
      return choice(...table.map(([precedence, operator]) => prec.left(precedence, seq(
        field('left', $.expression),
        field('operator', operator),
        field('right', $.expression),
      ))));
    },

    // x is string
    is_expression: $ => prec.left(PREC.compare, seq(
      field('left', $.expression),
      'is',
      field('type', choice(
        alias($.identifier, $.type),
        alias('null', $.type),
      )),
    )),

    conditional_expression: $ => prec.right(PREC.conditional, seq(
      field('condition', $.expression),
      '?',
      field('consequence', $.expression),
      ':',
      field('alternative', $.expression),
    )),

    // ---------------------------------------------------------------
    // Literals

    list: $ => seq('[', commaSepTrailing($.expression), ']'),

    map: $ => seq('{', commaSepTrailing($.pair), '}'),

    pair: $ => seq(
      field('key', $.expression),
      ':',
      field('value', $.expression),
    ),

    // /databases/$(database)/documents/users/$(request.auth.uid)
    // Written left-recursively so that the precedence applies to the
    // continuation: after a segment, `/` extends the path, never divides.
    // The hidden recursion keeps the `path` node flat.
    path: $ => $._path,

    _path: $ => choice(
      seq('/', $._path_part),
      prec(PREC.path, seq($._path, '/', $._path_part)),
    ),

    _path_part: $ => choice(
      $.path_segment,
      $.interpolation,
      $.concatenated_segment,
    ),

    interpolation: $ => seq('$(', field('expression', $.expression), ')'),

    // One segment built from several pieces written without spaces, as in
    // /members/$(request.auth.uid)_$(groupId) or /users/user_$(id).
    concatenated_segment: $ => seq(
      choice($.path_segment, $.interpolation),
      repeat1(choice(
        alias($._immediate_segment_text, $.path_segment),
        alias($._immediate_interpolation, $.interpolation),
      )),
    ),

    _immediate_interpolation: $ => seq(
      token.immediate('$('),
      field('expression', $.expression),
      ')',
    ),

    // Text glued to the end of an interpolation. Narrower than
    // `path_segment` so that `$(x)==y` still reads as a comparison; it wins
    // over the `-` operator, so `$(a)-$(b)` is one segment.
    _immediate_segment_text: _ => token.immediate(prec(1, /[\p{L}\p{N}_\-~%@.]+/)),

    // A literal path segment: a document or collection id. Parenthesised
    // groups such as `(default)` are part of the segment.
    path_segment: _ => token(repeat1(choice(
      /[^\s/\\(){}\[\],;$'"`]/,
      /\([^\s/\\(){}\[\],;$'"`]*\)/,
    ))),

    string: $ => choice(
      seq(choice('\'', 'r\'', 'R\''), repeat($._single_quoted_part), '\''),
      seq(choice('"', 'r"', 'R"'), repeat($._double_quoted_part), '"'),
    ),

    bytes: $ => choice(
      seq(choice('b\'', 'B\''), repeat($._single_quoted_part), '\''),
      seq(choice('b"', 'B"'), repeat($._double_quoted_part), '"'),
    ),

    _single_quoted_part: $ => choice(
      alias(token.immediate(prec(1, /[^'\\\n]+/)), $.string_content),
      $.escape_sequence,
    ),

    _double_quoted_part: $ => choice(
      alias(token.immediate(prec(1, /[^"\\\n]+/)), $.string_content),
      $.escape_sequence,
    ),

    escape_sequence: _ => token.immediate(seq(
      '\\',
      choice(
        /x[0-9a-fA-F]{2}/,
        /u[0-9a-fA-F]{4}/,
        /U[0-9a-fA-F]{8}/,
        /[0-7]{1,3}/,
        /[^xuU0-7\n]/,
      ),
    )),

    integer: _ => token(choice(
      /[0-9]+/,
      /0[xX][0-9a-fA-F]+/,
    )),

    float: _ => token(choice(
      /[0-9]+\.[0-9]+([eE][+-]?[0-9]+)?/,
      /[0-9]+[eE][+-]?[0-9]+/,
    )),

    true: _ => 'true',
    false: _ => 'false',
    null: _ => 'null',

    identifier: _ => /[A-Za-z_][A-Za-z0-9_]*/,

    comment: _ => token(choice(
      seq('//', /[^\n]*/),
      seq('/*', /[^*]*\*+([^/*][^*]*\*+)*/, '/'),
    )),
  },
});
