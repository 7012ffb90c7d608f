alter table public.todos enable row level security;
create policy "owners write" on public.todos for insert to authenticated with check ((select auth.uid()) = owner_id);
