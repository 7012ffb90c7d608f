create schema private;
create table private.reports (id bigserial primary key, body text);
create table public.drafts (id bigserial primary key, body text);
alter table public.drafts enable row level security;
