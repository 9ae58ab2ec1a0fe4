/**
 * A model of how singularity/apptainer read one `--env` value: pflag's
 * StringToString, which strips double quotes around text with one `=` and
 * reads text with more as one CSV record of KEY=VALUE fields.
 */
export function parseLikeSingularity(text: string): [string, string][] {
  const fields: string[] = [];
  if (text.split("=").length - 1 === 1) {
    fields.push(text.replace(/^"+|"+$/g, ""));
  } else {
    // One CSV record.
    let field = "";
    let quoted = false;
    for (let i = 0; i < text.length; i++) {
      const c = text[i];
      if (quoted) {
        if (c === '"' && text[i + 1] === '"') {
          field += '"';
          i++;
        } else if (c === '"') quoted = false;
        else field += c;
      } else if (c === '"' && field === "") quoted = true;
      else if (c === '"') throw new Error(`bare quote in ${text}`);
      else if (c === ",") {
        fields.push(field);
        field = "";
      } else field += c;
    }
    fields.push(field);
  }
  return fields.map((f) => {
    const i = f.indexOf("=");
    if (i < 0) throw new Error(`${f} must be formatted as key=value`);
    return [f.slice(0, i), f.slice(i + 1)];
  });
}
