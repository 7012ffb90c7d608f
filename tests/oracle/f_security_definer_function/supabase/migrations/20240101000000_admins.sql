create table admins (id uuid primary key references auth.users);
alter table admins enable row level security;

create or replace function public.is_admin() returns boolean language sql security definer as $$ select exists(select 1 from admins where id = auth.uid()) $$;
