alter table profiles enable row level security;
create policy "read own" on profiles for select to authenticated using ((select auth.uid()) = id);
