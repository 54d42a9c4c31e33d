/**
 * The columns of one KPI output line (a JSON object per day), in the order they are written, with their
 * Glue/Athena (Hive) types. The KpiPipeline component declares its Glue table with exactly these; a test
 * compares them with the keys and value types of a real line the function wrote.
 */
export interface KpiColumn {
    name: string;
    type: string;
    comment: string;
}

export const REJECTED_STRUCT = "struct<missing_field:bigint,wrong_type:bigint,negative_value:bigint,impossible_speed:bigint,impossible_duration:bigint,wrong_currency:bigint>";

export const KPI_COLUMNS: KpiColumn[] = [
    { name: "kpi_date", type: "string", comment: "the KPI day (YYYY-MM-DD) in time_zone" },
    { name: "time_zone", type: "string", comment: "IANA time zone that defines the day" },
    { name: "currency", type: "string", comment: "ISO 4217 currency of every money column" },
    { name: "currency_minor_digits", type: "bigint", comment: "digits of the minor unit (2: cents)" },
    { name: "trips_completed", type: "bigint", comment: "valid completed trips" },
    { name: "revenue_total_minor", type: "bigint", comment: "sum of fare + tip + tolls, minor units" },
    { name: "revenue_mean_minor", type: "double", comment: "revenue_total_minor / trips_completed" },
    { name: "revenue_min_minor", type: "bigint", comment: "smallest trip revenue" },
    { name: "revenue_max_minor", type: "bigint", comment: "largest trip revenue" },
    { name: "fares_total_minor", type: "bigint", comment: "sum of fares" },
    { name: "tips_total_minor", type: "bigint", comment: "sum of tips" },
    { name: "tolls_total_minor", type: "bigint", comment: "sum of tolls" },
    { name: "tip_rate", type: "double", comment: "tips_total_minor / fares_total_minor" },
    { name: "distance_km_total", type: "double", comment: "sum of distances" },
    { name: "distance_km_mean", type: "double", comment: "distance_km_total / trips_completed" },
    { name: "distance_km_p50", type: "double", comment: "median distance (DDSketch, relative error <= 1%)" },
    { name: "distance_km_p95", type: "double", comment: "95th percentile distance (DDSketch, relative error <= 1%)" },
    { name: "duration_s_mean", type: "double", comment: "mean of dropoffAt - pickupAt, seconds" },
    { name: "duration_s_p50", type: "double", comment: "median duration (DDSketch, relative error <= 1%)" },
    { name: "duration_s_p95", type: "double", comment: "95th percentile duration (DDSketch, relative error <= 1%)" },
    { name: "speed_kmh_mean", type: "double", comment: "distance_km_total / total duration in hours" },
    { name: "revenue_per_km_minor", type: "double", comment: "revenue_total_minor / distance_km_total" },
    { name: "trips_by_payment_type", type: "map<string,bigint>", comment: "trips per paymentType" },
    { name: "top_pickup_zones", type: "array<struct<zone:string,trips:bigint>>", comment: "the top N pickup zones by trips (ties by zone name)" },
    { name: "pickup_zones_distinct", type: "bigint", comment: "pickup zones with at least one trip" },
    { name: "records_read", type: "bigint", comment: "index items read for the day" },
    { name: "records_not_completed", type: "bigint", comment: "items whose status is not COMPLETED (ignored)" },
    { name: "records_rejected", type: "bigint", comment: "items rejected by validation" },
    { name: "rejected_by_reason", type: REJECTED_STRUCT, comment: "rejections per reason" },
    { name: "schema_version", type: "bigint", comment: "version of this row shape" },
];

export const KPI_SCHEMA_VERSION = 1;
