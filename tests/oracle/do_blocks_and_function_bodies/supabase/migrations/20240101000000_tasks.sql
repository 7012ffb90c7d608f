create table tasks (
  id bigserial primary key,
  assignee uuid references auth.users (id),
  title text
);

do $$
begin
  if not exists (
    select 1 from pg_policies where tablename = 'tasks' and policyname = 'assignees read'
  ) then
    create policy "assignees read" on tasks for select to authenticated using (assignee = auth.uid());
  end if;
end
$$;

do $$
begin
  alter table tasks enable row level security;
end
$$;

-- Never called: its statements must not count.
create function public.open_everything() returns void
language plpgsql
set search_path = ''
as $$
begin
  alter table public.tasks disable row level security;
  drop policy "assignees read" on public.tasks;
  create table public.ghost (id int);
end;
$$;
