create function public.f_alter_definer() returns integer language sql as $$ select 1 $$;
create function public.f_reset_path() returns integer language sql security definer set search_path = public as $$ select 2 $$;
create function public.f_old_name(a integer) returns integer language sql as $$ select a $$;
create function public.f_dropped() returns integer language sql as $$ select 4 $$;
create function public.f_replaced() returns integer language sql security definer set search_path = '' as $$ select 5 $$;
