-- A search_path fixed at creation, then reset with RESET ALL (and ALTER ROUTINE).
create function public.b2() returns int language sql security definer set search_path = public as $$ select 1 $$;
alter function public.b2() reset all;
create function public.b3() returns int language sql set search_path = public as $$ select 1 $$;
alter routine public.b3() reset all;
create function public.b4() returns int language sql set search_path = public as $$ select 1 $$;
alter function public.b4() reset search_path;
