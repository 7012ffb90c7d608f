create table products (
  id serial primary key,
  name text not null,
  price numeric(10, 2) not null
);
alter table products enable row level security;
create policy "Public read" on products for select using (true);
