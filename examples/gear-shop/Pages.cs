using System.Net;
using System.Text;

namespace GearShop;

/// <summary>The shop's one HTML page.</summary>
public static class Pages
{
    public static string Home(string version, string? banner, IEnumerable<Listing> listings)
    {
        var html = new StringBuilder();
        html.Append("<!doctype html><html><head><meta charset=\"utf-8\"><title>Gear Shop</title></head><body>");
        html.Append($"<h1>Gear Shop</h1><p>release {WebUtility.HtmlEncode(version)}</p>");
        if (!string.IsNullOrEmpty(banner))
            html.Append($"<p class=\"banner\">{WebUtility.HtmlEncode(banner)}</p>");
        html.Append("<ul>");
        foreach (var l in listings)
            html.Append($"<li>{WebUtility.HtmlEncode(l.Title)} by {WebUtility.HtmlEncode(l.Seller)}: ${l.PriceCents / 100.0:0.00}</li>");
        html.Append("</ul></body></html>");
        return html.ToString();
    }
}
