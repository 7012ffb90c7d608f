create view order_totals as
  select customer_id, sum(total) as total from orders group by customer_id;

create view my_orders with (security_invoker = true) as
  select id, total from orders;

create or replace view recent_orders as
  select id, customer_id, total from orders order by id desc limit 10;
