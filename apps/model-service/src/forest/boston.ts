/** The predictors of `medv ~ .` on R's `MASS::Boston`, in column order: the features the scoring service expects. */
export const BOSTON_FEATURES: readonly string[] = [
  'crim',
  'zn',
  'indus',
  'chas',
  'nox',
  'rm',
  'age',
  'dis',
  'rad',
  'tax',
  'ptratio',
  'black',
  'lstat',
];

/** Median home value in $1000s, the column the scoring model predicts. */
export const BOSTON_TARGET = 'medv';
