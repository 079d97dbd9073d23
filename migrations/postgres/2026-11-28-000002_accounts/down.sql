DROP TABLE server_secrets;
DROP TABLE login_failures;
DROP TABLE accounts;
