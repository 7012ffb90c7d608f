create extension if not exists pgcrypto;
create table keys (id uuid primary key default gen_random_uuid(), k text);
