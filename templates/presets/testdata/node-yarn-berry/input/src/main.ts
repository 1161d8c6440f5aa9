import Koa from "koa";
new Koa().listen(Number(process.env.PORT || 4000));
