import { inverse, Matrix } from 'ml-matrix';

/**
 * Ridge regression in closed form (design §5): features standardised (mean 0, scale 1), the intercept
 * left unpenalised (it is the mean of y), weights w = (ZᵀZ + λI)⁻¹ Zᵀ(y − ȳ). λ is chosen among a few values
 * by exact leave-one-out error, which ridge gives without refitting: e₋ᵢ = eᵢ / (1 − hᵢᵢ) with H the hat
 * matrix (plus 1/n for the intercept).
 */

export type RidgeModel = {
  intercept: number;
  weights: number[];
  means: number[];
  scales: number[];
  /** (ZᵀZ + λI)⁻¹ ZᵀZ (ZᵀZ + λI)⁻¹: the weights' covariance divided by σ². */
  weightCovariance: number[][];
  lambda: number;
  n: number;
  r2: number;
  looR2: number;
  /** sqrt(SSE / (n − effective degrees of freedom)). */
  residualSe: number;
};

/** The λ values tried (on standardised features, so they compare with n). */
export const ridgeLambdas = [0.01, 0.1, 1, 3, 10, 30, 100];

function columnStats(rows: number[][], width: number): { means: number[]; scales: number[] } {
  const n = rows.length;
  const means = Array.from({ length: width }, (_, column) => rows.reduce((sum, row) => sum + row[column]!, 0) / n);
  const scales = means.map((mean, column) => {
    const variance = rows.reduce((sum, row) => sum + (row[column]! - mean) ** 2, 0) / n;
    // A constant feature carries no information: scale 1 keeps its standardised column at 0 (weight 0).
    return variance > 1e-12 ? Math.sqrt(variance) : 1;
  });
  return { means, scales };
}

const standardise = (row: number[], means: number[], scales: number[]) => row.map((value, column) => (value - means[column]!) / scales[column]!);

type Fit = { weights: Matrix; inverse: Matrix; hatDiagonal: number[]; residuals: number[]; looResiduals: number[] };

function fitLambda(z: Matrix, gram: Matrix, centred: Matrix, lambda: number): Fit {
  const width = z.columns;
  const inverted = inverse(gram.clone().add(Matrix.eye(width).mul(lambda)));
  const weights = inverted.mmul(z.transpose().mmul(centred));
  const fitted = z.mmul(weights);
  const n = z.rows;
  const zInv = z.mmul(inverted);
  const hatDiagonal: number[] = [];
  const residuals: number[] = [];
  const looResiduals: number[] = [];
  for (let row = 0; row < n; row += 1) {
    let leverage = 1 / n;
    for (let column = 0; column < width; column += 1) leverage += zInv.get(row, column) * z.get(row, column);
    const residual = centred.get(row, 0) - fitted.get(row, 0);
    hatDiagonal.push(leverage);
    residuals.push(residual);
    looResiduals.push(residual / Math.max(1 - leverage, 1e-9));
  }
  return { weights, inverse: inverted, hatDiagonal, residuals, looResiduals };
}

/** Fit on rows of raw features and their outcomes; needs more rows than features. */
export function fitRidge(rows: number[][], outcomes: number[], lambdas: number[] = ridgeLambdas): RidgeModel {
  const n = rows.length;
  const width = rows[0]?.length ?? 0;
  if (n !== outcomes.length) throw new Error('fitRidge: one outcome per row');
  if (n <= width + 1) throw new Error(`fitRidge: ${n} rows are too few for ${width} features`);
  const { means, scales } = columnStats(rows, width);
  const z = new Matrix(rows.map((row) => standardise(row, means, scales)));
  const mean = outcomes.reduce((sum, value) => sum + value, 0) / n;
  const centred = Matrix.columnVector(outcomes.map((value) => value - mean));
  const gram = z.transpose().mmul(z);
  const total = outcomes.reduce((sum, value) => sum + (value - mean) ** 2, 0);

  let best: { lambda: number; fit: Fit; looSse: number } | null = null;
  for (const lambda of lambdas) {
    const fit = fitLambda(z, gram, centred, lambda);
    const looSse = fit.looResiduals.reduce((sum, value) => sum + value ** 2, 0);
    if (!best || looSse < best.looSse) best = { lambda, fit, looSse };
  }
  const { fit, lambda, looSse } = best!;
  const sse = fit.residuals.reduce((sum, value) => sum + value ** 2, 0);
  const degrees = fit.hatDiagonal.reduce((sum, value) => sum + value, 0);
  const covariance = fit.inverse.mmul(gram).mmul(fit.inverse);
  return {
    intercept: mean,
    weights: fit.weights.getColumn(0),
    means,
    scales,
    weightCovariance: covariance.to2DArray(),
    lambda,
    n,
    r2: total > 0 ? 1 - sse / total : 0,
    looR2: total > 0 ? 1 - looSse / total : 0,
    residualSe: Math.sqrt(sse / Math.max(n - degrees, 1)),
  };
}

export type RidgePrediction = { value: number; standardError: number };

/**
 * The prediction for one row of raw features and the standard error of a new observation there:
 * σ·sqrt(1 + 1/n + zᵀCz), σ the residual standard error and C the weights' scaled covariance.
 */
export function predictRidge(model: Pick<RidgeModel, 'intercept' | 'weights' | 'means' | 'scales' | 'weightCovariance' | 'n' | 'residualSe'>, row: number[]): RidgePrediction {
  const z = standardise(row, model.means, model.scales);
  const value = model.intercept + z.reduce((sum, x, column) => sum + x * model.weights[column]!, 0);
  let quadratic = 0;
  for (let i = 0; i < z.length; i += 1) {
    for (let j = 0; j < z.length; j += 1) quadratic += z[i]! * model.weightCovariance[i]![j]! * z[j]!;
  }
  return { value, standardError: model.residualSe * Math.sqrt(1 + 1 / model.n + Math.max(quadratic, 0)) };
}
