create table todo_items (
  id bigserial primary key,
  owner_id uuid references auth.users (id),
  title text not null,
  done boolean default false
);
create policy "owners read" on todo_items for select to authenticated using ((select auth.uid()) = owner_id);
