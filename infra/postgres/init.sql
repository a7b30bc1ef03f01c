-- docker compose: one database per service (each service migrates its own schema at start-up).
CREATE DATABASE orders;
CREATE DATABASE payment;
CREATE DATABASE stock;
CREATE DATABASE shipping;
CREATE DATABASE email;
