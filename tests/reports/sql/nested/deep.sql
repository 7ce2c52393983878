select
    a
from t
where b = 1 AND c = 2
