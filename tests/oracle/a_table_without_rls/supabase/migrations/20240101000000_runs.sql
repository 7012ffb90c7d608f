create table public.runs (id bigserial primary key, payload jsonb);
