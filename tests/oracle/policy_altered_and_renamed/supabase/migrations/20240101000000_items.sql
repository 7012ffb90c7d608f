create table items (
  id bigserial primary key,
  user_id uuid references auth.users (id),
  name text
);
alter table items enable row level security;
create policy "read items" on items for select to anon, authenticated using (true);
create policy "add items" on items for insert to authenticated with check (auth.uid() = user_id);
