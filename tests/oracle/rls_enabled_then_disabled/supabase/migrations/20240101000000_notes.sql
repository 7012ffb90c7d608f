create table notes (
  id bigserial primary key,
  user_id uuid not null references auth.users (id),
  body text
);
alter table notes enable row level security;
create policy "own notes" on notes for select to authenticated using (auth.uid() = user_id);
