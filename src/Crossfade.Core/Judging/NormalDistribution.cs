namespace Crossfade.Core.Judging;

/// <summary>The standard normal distribution's tail, which the large-sample tests read their p-values from.</summary>
public static class NormalDistribution
{
    /// <summary>P(Z ≥ z) for a standard normal Z, to about 1e-13 relative (the worst is near z = 2.8).</summary>
    public static double UpperTail(double z) => 0.5 * Erfc(z / Math.Sqrt(2));

    /// <summary>
    /// The complementary error function. Below 2 by erf's Taylor series (erfc is at least 0.0047 there, so
    /// no precision is lost); above, by the
    /// continued fraction of erfc evaluated with Lentz's method, which converges fast there.
    /// </summary>
    public static double Erfc(double x)
    {
        if (double.IsNaN(x))
            return double.NaN;
        if (x < 0)
            return 2 - Erfc(-x);
        if (x < 2)
            return 1 - ErfSeries(x);
        if (x > 27)
            return 0;
        return Math.Exp(-x * x) / Math.Sqrt(Math.PI) * ContinuedFraction(x);
    }

    private static double ErfSeries(double x)
    {
        // erf(x) = 2/sqrt(pi) * sum_n (-1)^n x^(2n+1) / (n! (2n+1))
        double sum = 0, term = x;
        for (var n = 0; n < 60; n++)
        {
            var add = term / (2 * n + 1);
            sum += add;
            if (Math.Abs(add) < 1e-17 * Math.Abs(sum))
                break;
            term *= -x * x / (n + 1);
        }
        return 2 / Math.Sqrt(Math.PI) * sum;
    }

    /// <summary>1 / (x + (1/2) / (x + 1 / (x + (3/2) / (x + 2 / (x + ...))))), evaluated by Lentz's method.</summary>
    private static double ContinuedFraction(double x)
    {
        const double tiny = 1e-300;
        var f = x;
        var c = x;
        var d = 0.0;
        for (var n = 1; n < 500; n++)
        {
            var a = n / 2.0;
            d = x + a * d;
            d = Math.Abs(d) < tiny ? tiny : d;
            c = x + a / c;
            c = Math.Abs(c) < tiny ? tiny : c;
            d = 1 / d;
            var delta = c * d;
            f *= delta;
            if (Math.Abs(delta - 1) < 1e-15)
                break;
        }
        return 1 / f;
    }
}
