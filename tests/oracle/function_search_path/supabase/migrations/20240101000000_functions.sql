create function public.add_one(x integer) returns integer
  language sql immutable
  as $$ select x + 1 $$;

create function public.whoami() returns uuid
  language sql stable security definer
  set search_path = ''
  as $$ select auth.uid() $$;

create or replace function public.touch() returns void
  language plpgsql security definer
  as $$
begin
  perform 1;
end;
$$;
