create table public.accounts (
  id uuid primary key references auth.users (id),
  name text
);
alter table public.accounts enable row level security;
create policy "accounts read own" on public.accounts for select to authenticated using ((select auth.uid()) = id);
grant select on table public.accounts to anon;
grant select, insert, update on table public.accounts to authenticated;
grant all on table public.accounts to service_role;

create table wide (id bigserial primary key, name text, secret text);
grant select (id, name) on wide to anon;

create table shared_notes (id bigserial primary key, body text);
grant select on shared_notes to public;
revoke all on shared_notes from anon;

create table trimmed (id bigserial primary key, v text);
grant all on trimmed to anon;
revoke insert, update, delete, truncate on trimmed from anon;

create table pair_a (id bigserial primary key);
create table pair_b (id bigserial primary key);
grant select on table pair_a, pair_b to anon, authenticated;
