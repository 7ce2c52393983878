select a
from t
