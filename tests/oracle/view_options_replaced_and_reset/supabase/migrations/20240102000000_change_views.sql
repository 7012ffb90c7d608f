-- Replacing a view without WITH (...) resets its options.
create or replace view account_plans as select id, plan from accounts;
alter view account_ids reset (security_invoker);
alter table account_rows set (security_invoker = true);
