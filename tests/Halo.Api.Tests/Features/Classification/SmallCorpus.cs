using Halo.Api.Features.Classification;

namespace Halo.Api.Tests.Features.Classification;

/// <summary>A small fixed, hand-written training set (five categories, 20 sentences each) and held-out sentences that share no sentence with it.</summary>
internal static class SmallCorpus
{
    private static readonly (string Category, string[] Texts)[] Training =
    [
        ("traffic", [
            "En personbil har kört av vägen och hamnat i diket.", "Trafikolycka mellan två bilar i korsningen.",
            "Bil och lastbil har kolliderat på E4:an, en person skadad.", "Singelolycka, bilen voltade på länsväg 40.",
            "Föraren misstänks för rattfylleri efter blåsning.", "Kollision mellan cyklist och bil vid rondellen.",
            "Viltolycka med älg på riksvägen natten till söndag.", "Motorcyklist har kört omkull på motorvägen.",
            "Två personbilar krockade i rusningstrafiken.", "Buss har kört in i ett räcke på motorvägen.",
            "Bilist stoppad för hastighetsöverträdelse, körde i 140.", "Trafikolycka med flera fordon inblandade på E6.",
            "Bilen gled av vägen i halkan och körde in i ett träd.", "Påkörning av fotgängare på övergångsstället.",
            "Lastbil och personbil i kollision, vägen är avstängd.", "Mopedist skadad efter krock med bil.",
            "Föraren tappade kontrollen över bilen i kurvan.", "Olycka i korsningen, två bilar krockade vid rött ljus.",
            "Bil körde in i bakändan på en annan bil i kön.", "Trafikolycka på bron, långa köer i båda riktningar.",
        ]),
        ("fire", [
            "Brand i ett flerfamiljshus, räddningstjänsten är på plats.", "Det brinner i en villa, kraftig rökutveckling.",
            "Brand i en bil på en parkeringsplats under natten.", "Soprum i brand i källaren, ingen skadad.",
            "Räddningstjänsten släcker en brand i ett förråd.", "Eld i en container vid skolan.",
            "Lägenhetsbrand, boende evakuerade ur trapphuset.", "Skogsbrand sprider sig snabbt i torka.",
            "Brand i ett garage, rök syns på långt håll.", "Misstänkt anlagd brand i en skolbyggnad.",
            "Gräsbrand vid järnvägen, räddningstjänsten på väg.", "Brinnande husvagn på en camping.",
            "Brand i en lägenhet, en person rökskadad.", "Kraftig rök från en industribyggnad, räddningstjänsten larmad.",
            "Brand i ett kök efter att spisen lämnats på.", "En bil brann ut helt på parkeringen.",
            "Eldsvåda i en ladugård på landet.", "Räddningstjänsten släckte en brand i ett radhus.",
            "Brand i en papperskorg vid busshållplatsen.", "Villabrand, familjen tog sig ut i tid.",
        ]),
        ("theft", [
            "Stöld av plånbok på en buss i centrum.", "Cykel stulen utanför järnvägsstationen.",
            "Butiksstöld, man greps av butikens personal.", "Stöld av verktyg ur en arbetsbod under natten.",
            "En mobiltelefon stulen på ett café.", "Ficktjuvar har stulit en handväska på tåget.",
            "Stöld av diesel från arbetsmaskiner på bygget.", "Kvinna anmäler stöld av sin väska på gymmet.",
            "Snatteri i livsmedelsbutik, varor för 500 kronor.", "Båtmotor stulen från brygga vid sjön.",
            "Stöld av katalysatorer från parkerade bilar.", "Man tog varor utan att betala och sprang.",
            "Någon har stulit en cykel från ett cykelställ.", "Stöld av datorer från ett kontor.",
            "Plånbok och mobil stulna ur en väska på restaurangen.", "En elsparkcykel stulen utanför affären.",
            "Stöld ur bil, någon tog en väska från baksätet.", "Stöld av smycken från ett hotellrum.",
            "Verktyg stulna ur en skåpbil under natten.", "Kvinna blev bestulen på sin telefon på bussen.",
        ]),
        ("violence", [
            "Man misshandlad med slag och sparkar utanför en krog.", "Kvinna misshandlad av sin sambo i lägenheten.",
            "En man knivhuggen i buken, förd till sjukhus.", "Misshandel på stan, offret fick uppsöka sjukhus.",
            "Två män slog en tredje man i ansiktet.", "Olaga hot mot personal på ett boende.",
            "En person hotades med kniv i trapphuset.", "Grov misshandel, mannen har allvarliga skador.",
            "Man attackerad och slagen med tillhygge.", "Ung man misshandlad av ett gäng ungdomar.",
            "Vakt misshandlad vid entrén till nattklubben.", "Kvinna fick ett knytnävsslag i huvudet.",
            "En man hotade sin granne med en kniv.", "Kvinna slagen i huvudet av en okänd man.",
            "Misshandel i en lägenhet, mannen greps.", "Man hotad och slagen vid busshållplatsen.",
            "Två personer misshandlade en man med sparkar.", "Hot mot en kvinna i trappuppgången.",
            "Ung kvinna misshandlad av sin före detta pojkvän.", "Man skadad av knivhugg efter bråk.",
        ]),
        ("drugs", [
            "Man påträffad med narkotika vid en kontroll.", "Beslag av cannabis i en bostad.",
            "Narkotikabrott, kokain hittades i bilen.", "Ungdomar rökte hasch i parken.",
            "Polisen beslagtog amfetamin vid en husrannsakan.", "Man misstänkt för innehav av narkotika.",
            "Försäljning av narkotika vid skolan.", "Stor mängd cannabisplantor i ett odlingsrum.",
            "Kvinna påverkad av narkotika greps på stationen.", "Narkotika i tabletter beslagtogs vid tullen.",
            "Misstänkt langning av narkotika till ungdomar.", "Hund markerade på narkotika i ryggsäcken.",
            "Cannabis hittades i en bil vid en kontroll.", "Man sålde narkotika i centrum, greps av polisen.",
            "Narkotika beslagtogs i en lägenhet.", "Polisen hittade hasch och kokain hos en ung man.",
            "Försäljning av cannabis till ungdomar vid torget.", "Man misstänks för narkotikabrott efter husrannsakan.",
            "Ringa narkotikabrott, man påverkad av droger.", "Amfetamin och cannabis i en väska.",
        ]),
    ];

    /// <summary>New sentences, none in the training set, each with an obvious category to a Swedish reader.</summary>
    public static readonly (string Text, string Category)[] HeldOut =
    [
        ("En bil körde in i en annan bil vid trafikljusen.", "traffic"),
        ("Olycka på motorvägen, en lastbil har vält.", "traffic"),
        ("Kraftig brand i ett radhus, rök väller ut.", "fire"),
        ("Räddningstjänsten larmades till en brand i en lada.", "fire"),
        ("Någon har stulit min cykel från cykelstället.", "theft"),
        ("Stöld av en dator ur en bil.", "theft"),
        ("En man blev misshandlad och slagen i huvudet.", "violence"),
        ("Kvinna hotad med kniv av en okänd man.", "violence"),
        ("Polisen hittade narkotika hos en man.", "drugs"),
        ("Misstänkt försäljning av cannabis i centrum.", "drugs"),
    ];

    public static List<LabelledExample> Examples()
    {
        var start = new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        var list = new List<LabelledExample>();
        // Interleave categories in time so the validation slice (the latest 15 %) holds every category.
        for (var i = 0; i < 20; i++)
            foreach (var (category, texts) in Training)
                list.Add(new LabelledExample(texts[i], category, start.AddHours(list.Count), "test"));
        return list;
    }
}
