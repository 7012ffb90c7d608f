-- vibe-notes: initial schema

create table public.profiles (
  id uuid primary key references auth.users on delete cascade,
  display_name text,
  avatar_url text,
  created_at timestamptz not null default now()
);
alter table public.profiles enable row level security;

create policy "profiles are readable by their owner"
  on public.profiles for select to authenticated
  using ((select auth.uid()) = id);

create table public.notes (
  id bigint generated always as identity primary key,
  owner_id uuid not null references public.profiles (id),
  title text not null,
  body text,
  is_public boolean not null default false,
  created_at timestamptz not null default now()
);

create table note_shares (
  note_id bigint references public.notes (id) on delete cascade,
  shared_with uuid references public.profiles (id),
  primary key (note_id, shared_with)
);

create index notes_owner_idx on public.notes (owner_id);
