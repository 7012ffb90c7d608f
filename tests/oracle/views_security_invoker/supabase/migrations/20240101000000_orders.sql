create table orders (
  id bigserial primary key,
  customer_id uuid not null references auth.users (id),
  total numeric not null
);
alter table orders enable row level security;
create policy "customers read own orders" on orders for select to authenticated using ((select auth.uid()) = customer_id);
