alter default privileges revoke execute on functions from public;
create function public.after_global_revoke() returns integer language sql as $$ select 2 $$;
alter default privileges in schema public revoke execute on functions from anon;
create function public.after_anon_revoke() returns integer language sql as $$ select 3 $$;
