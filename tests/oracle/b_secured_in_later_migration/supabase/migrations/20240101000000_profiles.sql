create table profiles (id uuid references auth.users primary key, email text);
