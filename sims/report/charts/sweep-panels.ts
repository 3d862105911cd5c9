/**
 * Panels for a sweep: charts that show one swept value at a time get one row (or column) per
 * value in a single faceted chart instead of one chart per value. Small multiples read better,
 * and Vega renders one chart of twenty panels several times faster than five charts of four.
 */
export type SweepPanels = {
  /** The swept option's name, as the rows' title. */
  title: string;
  /** Panel labels in order (the swept values as text). */
  values: readonly string[];
};

/** Header of a facet over swept values: the option's name once, each value on its panel. */
export function sweepHeader(panels: SweepPanels, orient: "row" | "column" = "row") {
  return orient === "row"
    ? { title: panels.title, labelAngle: 0, labelAlign: "right", labelFontWeight: 600 }
    : { title: panels.title, labelFontWeight: 600 };
}

/** The facet channel over swept values (`panel` field), a row or a column per value. */
export function sweepFacet(panels: SweepPanels, orient: "row" | "column" = "row") {
  return {
    [orient]: {
      field: "panel",
      type: "ordinal",
      sort: [...panels.values],
      header: sweepHeader(panels, orient),
    },
  };
}
