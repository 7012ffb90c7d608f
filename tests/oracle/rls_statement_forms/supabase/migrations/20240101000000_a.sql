create table a (id bigserial primary key);
alter table public.a enable row level security, force row level security;
create table b (id bigserial primary key);
alter table b add column note text, enable row level security;
create table c (id bigserial primary key);
alter table if exists only public.c enable row level security;
create table d (id bigserial primary key);
ALTER TABLE D ENABLE ROW LEVEL SECURITY;
create table "E" (id bigserial primary key);
