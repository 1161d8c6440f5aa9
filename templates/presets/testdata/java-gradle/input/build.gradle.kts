plugins { application }
application { mainClass.set("com.acme.Main") }
