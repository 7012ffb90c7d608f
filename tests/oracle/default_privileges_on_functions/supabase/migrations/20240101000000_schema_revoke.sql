alter default privileges in schema public revoke execute on functions from public;
create function public.after_schema_revoke() returns integer language sql as $$ select 1 $$;
