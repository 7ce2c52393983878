select a,b from t where x=1;
SELECT  c from   u;
