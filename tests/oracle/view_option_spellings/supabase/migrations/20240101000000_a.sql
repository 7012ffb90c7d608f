create table src (id bigserial primary key, owner uuid references auth.users(id));
alter table src enable row level security;
create policy "own" on src for select to authenticated using (owner = (select auth.uid()));
create view v_false with (security_invoker = false) as select id from src;
create view v_str with (security_invoker = 'true') as select id from src;
create view v_multi with (security_barrier, security_invoker = 1) as select id from src;
create view v_off with (security_invoker = off) as select id from src;
create view v_ci WITH (SECURITY_INVOKER = TRUE) as select id from src;
