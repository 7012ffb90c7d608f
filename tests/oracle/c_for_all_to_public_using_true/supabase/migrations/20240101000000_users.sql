create table public.users (
  id uuid primary key references auth.users (id),
  full_name text
);
alter table public.users enable row level security;
create policy "All users can access their own data" on public.users for all to public using (true);
