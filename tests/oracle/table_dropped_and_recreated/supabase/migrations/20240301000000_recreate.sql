drop table if exists messages;
create table messages (
  id bigserial primary key,
  sender uuid references auth.users (id),
  body text,
  sent_at timestamptz default now()
);
