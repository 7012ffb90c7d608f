alter function public.f_alter_definer() security definer;
alter function public.f_reset_path() reset search_path;
alter function public.f_old_name(integer) rename to f_new_name;
drop function public.f_dropped();
revoke execute on all functions in schema public from public;
grant execute on function public.f_alter_definer() to anon;
create or replace function public.f_replaced() returns integer language sql as $$ select 6 $$;
