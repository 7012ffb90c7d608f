create table if not exists public.settings (
  id bigserial primary key,
  user_id uuid references auth.users (id),
  theme text
);
alter table only public.settings enable row level security;
drop policy if exists "settings read" on public.settings;
create policy "settings read" on public.settings for select to anon, authenticated using (true);
alter table if exists public.no_such_table enable row level security;
