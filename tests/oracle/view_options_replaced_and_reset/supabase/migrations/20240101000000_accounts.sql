create table accounts (
  id uuid primary key references auth.users (id),
  plan text
);
alter table accounts enable row level security;
create policy "own account" on accounts for select to authenticated using (id = auth.uid());

create view account_plans with (security_invoker = true) as select id, plan from accounts;
create view account_ids with (security_invoker) as select id from accounts;
create view account_rows as select id, plan from accounts;
create materialized view account_snapshot as select id, plan from accounts;
