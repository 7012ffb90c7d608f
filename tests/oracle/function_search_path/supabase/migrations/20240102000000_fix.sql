alter function public.touch() set search_path = public, pg_temp;
revoke execute on function public.touch() from public, anon;
