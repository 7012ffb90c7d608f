create table posts (
  id bigserial primary key,
  author_id uuid not null references auth.users (id),
  title text
);
alter table posts enable row level security;
create policy "anyone reads" on posts for select using (true);
create policy "authors read" on posts for select to authenticated using (author_id = (select auth.uid()));
