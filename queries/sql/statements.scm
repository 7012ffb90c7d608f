; Statements the SQL rules reason about. Each capture is one statement node
; of tree-sitter-postgres (its node kinds follow PostgreSQL's gram.y).

; CREATE TABLE name (...), CREATE TABLE name PARTITION OF ..., CREATE TABLE name (LIKE ...)
(CreateStmt) @create_table

; CREATE TABLE name AS SELECT ... (and CREATE MATERIALIZED VIEW, told apart in Rust)
(CreateAsStmt) @create_table_as

; ALTER TABLE [IF EXISTS] [ONLY] name cmd, cmd ...
(AlterTableStmt) @alter_table
