create table early (id bigserial primary key, v text);
