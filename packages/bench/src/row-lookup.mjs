// Looking up a subject's row in the aggregated results, and the median of one of its figures.

/** A subject's row in a scenario, and the median of one of its figures. */
export const rowOf = (results, scenarioId, subject) =>
  results.find((s) => s.id === scenarioId)?.rows.find((r) => r.subject === subject);
export const med = (row, key) => row?.[key]?.median;
