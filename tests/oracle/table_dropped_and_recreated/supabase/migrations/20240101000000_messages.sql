create table messages (
  id bigserial primary key,
  sender uuid references auth.users (id),
  body text
);
alter table messages enable row level security;
create policy "senders read" on messages for select to authenticated using (auth.uid() = sender);
