/// The rate tables Recouvre ships, as published (copied from the team's shared data,
/// `data/rates/` — legal rate: arrêtés of the Ministry of the Economy; ECB main refinancing rate and
/// the L441-10 default rate, refinancing rate + 10 points). A new half-year is one more row.
public enum ShippedRates {
    public static let b2bLatePaymentCSV = """
    period_start,period_end,ecb_refi_pct,b2b_default_penalty_pct
    2020-01-01,2020-06-30,0.00,10.00
    2020-07-01,2020-12-31,0.00,10.00
    2021-01-01,2021-06-30,0.00,10.00
    2021-07-01,2021-12-31,0.00,10.00
    2022-01-01,2022-06-30,0.00,10.00
    2022-07-01,2022-12-31,0.00,10.00
    2023-01-01,2023-06-30,2.50,12.50
    2023-07-01,2023-12-31,4.00,14.00
    2024-01-01,2024-06-30,4.50,14.50
    2024-07-01,2024-12-31,4.25,14.25
    2025-01-01,2025-06-30,3.15,13.15
    2025-07-01,2025-12-31,2.15,12.15
    2026-01-01,2026-06-30,2.15,12.15
    """

    public static let legalInterestCSV = """
    period_start,period_end,creditor_private_individual_pct,other_cases_pct
    2020-01-01,2020-06-30,3.15,0.87
    2020-07-01,2020-12-31,3.11,0.84
    2021-01-01,2021-06-30,3.14,0.79
    2021-07-01,2021-12-31,3.12,0.76
    2022-01-01,2022-06-30,3.13,0.76
    2022-07-01,2022-12-31,3.15,0.77
    2023-01-01,2023-06-30,4.47,2.06
    2023-07-01,2023-12-31,6.82,4.22
    2024-01-01,2024-06-30,8.01,5.07
    2024-07-01,2024-12-31,8.16,4.92
    2025-01-01,2025-06-30,7.21,3.71
    2025-07-01,2025-12-31,6.65,2.76
    2026-01-01,2026-06-30,6.67,2.62
    """
}
